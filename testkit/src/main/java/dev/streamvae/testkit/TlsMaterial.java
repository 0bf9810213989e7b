package dev.streamvae.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A fresh self-signed certificate for 127.0.0.1 and localhost in a PKCS12 keystore, and a PKCS12
 * truststore holding it, made with the JDK's own {@code keytool}; one random password guards
 * both. For a test broker's TLS listener and its clients; valid for two days.
 *
 * @param keystore the broker's key and certificate
 * @param truststore the certificate alone, for clients
 * @param password the password of both stores and of the key
 */
public record TlsMaterial(Path keystore, Path truststore, String password) {

  /** Validates the fields. */
  public TlsMaterial {
    Objects.requireNonNull(keystore, "keystore");
    Objects.requireNonNull(truststore, "truststore");
    Objects.requireNonNull(password, "password");
  }

  /** Generates the stores in {@code dir} (created if missing). */
  public static TlsMaterial generate(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    String password = "tls-" + UUID.randomUUID();
    Path keystore = dir.resolve("broker.p12");
    Path certificate = dir.resolve("broker.pem");
    Path truststore = dir.resolve("truststore.p12");
    keytool(dir, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", password,
        "-keypass", password);
    keytool(dir, "-exportcert", "-alias", "broker", "-rfc", "-keystore", keystore.toString(),
        "-storepass", password, "-file", certificate.toString());
    keytool(dir, "-importcert", "-noprompt", "-alias", "broker", "-file",
        certificate.toString(), "-storetype", "PKCS12", "-keystore", truststore.toString(),
        "-storepass", password);
    return new TlsMaterial(keystore, truststore, password);
  }

  private static void keytool(Path dir, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Path output = dir.resolve("keytool.out");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("keytool " + args[0] + " did not finish");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("keytool " + args[0] + " failed: "
            + Files.readString(output, StandardCharsets.UTF_8).trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run keytool", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool", e);
    }
  }
}
