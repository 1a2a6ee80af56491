// MariaDB Connector/J over TLS with the server certificate verified (chain and host name), the
// 2.x equivalent of 3.x's sslMode=verify-full: useSSL=true&serverSslCert=CA.
// Run: java -cp /usr/share/java/mariadb-java-client.jar TlsTest.java PORT USER PASSWORD CA_PEM
// Prints "TLS OK <value>" or "TLS REFUSED <reason>".
import java.sql.*;

public class TlsTest {
  public static void main(String[] args) throws Exception {
    String url = "jdbc:mariadb://127.0.0.1:" + args[0] + "/?useSSL=true&serverSslCert=" + args[3]
        + "&useServerPrepStmts=true";
    try (Connection c = DriverManager.getConnection(url, args[1], args[2]);
         PreparedStatement p = c.prepareStatement("SELECT ? + 1")) {
      p.setInt(1, 41);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        System.out.println("TLS OK " + r.getInt(1));
      }
    } catch (SQLException e) {
      System.out.println("TLS REFUSED " + e.getMessage());
    }
  }
}
