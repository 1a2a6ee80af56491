// JDBC (MariaDB Connector/J) through the proxy: server-side prepared statements
// (useServerPrepStmts=true), a batch insert, a transaction and metadata.
// Run: java -cp /usr/share/java/mariadb-java-client.jar Test.java PORT USER PASSWORD DB
import java.math.BigDecimal;
import java.sql.*;

public class Test {
  static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
  }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:mariadb://127.0.0.1:" + args[0] + "/" + args[3]
        + "?useServerPrepStmts=true&useBulkStmts=false&rewriteBatchedStatements=false";
    try (Connection c = DriverManager.getConnection(url, args[1], args[2])) {
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS jdbc_t");
        s.execute("CREATE TABLE jdbc_t (id INT PRIMARY KEY, d DECIMAL(20,4), s VARCHAR(40)"
            + " CHARACTER SET utf8mb4, t DATETIME(6))");
      }
      c.setAutoCommit(false);
      try (PreparedStatement p = c.prepareStatement("INSERT INTO jdbc_t VALUES (?, ?, ?, ?)")) {
        for (int i = 1; i <= 300; i++) {
          p.setInt(1, i);
          p.setBigDecimal(2, new BigDecimal(i + ".2500"));
          p.setString(3, "jdbc ✓ " + i);
          p.setTimestamp(4, Timestamp.valueOf("2024-01-02 03:04:05.123456"));
          p.addBatch();
        }
        int[] counts = p.executeBatch();
        check(counts.length == 300, "batch size " + counts.length);
      }
      c.commit();
      try (PreparedStatement p = c.prepareStatement(
               "SELECT COUNT(*), SUM(d), MAX(s), MIN(t) FROM jdbc_t WHERE id >= ?")) {
        for (int round = 0; round < 3; round++) {
          p.setInt(1, 101);
          try (ResultSet r = p.executeQuery()) {
            check(r.next(), "a row");
            check(r.getInt(1) == 200, "count " + r.getInt(1));
            check(r.getBigDecimal(2).compareTo(new BigDecimal("40150.0000")) == 0,
                  "sum " + r.getBigDecimal(2));
            check(r.getString(3).startsWith("jdbc ✓ "), "string " + r.getString(3));
            check(r.getTimestamp(4).getNanos() == 123456000, "micros " + r.getTimestamp(4));
          }
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("INSERT INTO jdbc_t VALUES (1000, 0, 'rolled back', NOW())");
        c.rollback();
        try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM jdbc_t WHERE id = 1000")) {
          r.next();
          check(r.getInt(1) == 0, "rollback");
        }
      }
      try {
        PreparedStatement bad = c.prepareStatement("SELECT * FROM no_such_table WHERE id = ?");
        bad.setInt(1, 1);
        bad.executeQuery();
        check(false, "expected an error");
      } catch (SQLException e) {
        // Connector/J reports a failed server-side PREPARE with the server's message.
        check(e.getErrorCode() == 1146 || e.getMessage().contains("no_such_table"),
              "error " + e.getErrorCode() + " " + e.getMessage());
      }
      String version = c.getMetaData().getDatabaseProductVersion();
      check(version.contains("MariaDB"), "version " + version);
      System.out.println("JDBC OK " + version);
    }
  }
}
