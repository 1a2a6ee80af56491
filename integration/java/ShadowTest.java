// Connector/J through the proxy as a shadow session by connect attribute
// (connectionAttributes=shadow:1, issue 15): server-side prepared statements and plain
// statements reach the shadow tables; a table without a shadow is refused with 7040.
// Run: java -cp /usr/share/java/mariadb-java-client.jar ShadowTest.java PORT USER PASSWORD DB
import java.sql.*;

public class ShadowTest {
  static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
  }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:mariadb://127.0.0.1:" + args[0] + "/" + args[3]
        + "?useServerPrepStmts=true&connectionAttributes=shadow:1";
    try (Connection c = DriverManager.getConnection(url, args[1], args[2])) {
      try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM orders WHERE id > ?")) {
        for (int round = 0; round < 3; round++) {
          p.setInt(1, 0);
          try (ResultSet r = p.executeQuery()) {
            check(r.next() && r.getInt(1) == 5, "shadow rows");
          }
        }
      }
      try (Statement s = c.createStatement()) {
        try (ResultSet r = s.executeQuery("SELECT o.note FROM orders o WHERE o.id = 1")) {
          check(r.next() && r.getString(1).equals("shadow 1"), "shadow row");
        }
        try {
          s.executeQuery("SELECT * FROM audit");
          throw new AssertionError("audit was not refused");
        } catch (SQLException e) {
          check(e.getErrorCode() == 7040, "code " + e.getErrorCode());
        }
      }
    }
    System.out.println("JDBC shadow OK");
  }
}
