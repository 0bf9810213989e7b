package dev.streamvae.vae;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

/**
 * Ed25519 keys for signing model envelopes, with the JDK's own provider (no extra library): key
 * pairs, PEM files ({@code PRIVATE KEY} = PKCS#8, {@code PUBLIC KEY} = X.509), and the key id
 * written into a signed manifest so a scorer knows which trusted key to check it with.
 */
public final class SigningKeys {

  /** The JDK algorithm name of the signature and its keys. */
  public static final String ALGORITHM = "Ed25519";

  private SigningKeys() {}

  /** A fresh key pair. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no Ed25519", e);
    }
  }

  /**
   * The key id of a public key: the first 16 hex digits of the SHA-256 of its X.509 encoding.
   */
  public static String keyId(PublicKey key) {
    return ModelBundle.sha256Hex(key.getEncoded()).substring(0, 16);
  }

  /** A PEM block of DER bytes. */
  public static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  /**
   * Writes a key pair as two PEM files: {@code privateFile} holds the private key and, after it,
   * the public key (the JDK cannot derive one from the other, and signing names the key by its
   * public half), readable by its owner only where the file system supports it; {@code
   * publicFile} holds the public key, to hand to scorers.
   */
  public static void write(KeyPair pair, Path privateFile, Path publicFile) throws IOException {
    Files.deleteIfExists(privateFile);
    Files.createFile(privateFile);
    try {
      Files.setPosixFilePermissions(privateFile, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the owner must protect the file.
    }
    Files.writeString(privateFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded())
        + pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardOpenOption.TRUNCATE_EXISTING);
    Files.writeString(publicFile, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
  }

  /**
   * Reads a signing key pair: PEM text holding a {@code PRIVATE KEY} block and a {@code PUBLIC
   * KEY} block, as {@link #write} writes them.
   *
   * @throws IllegalArgumentException when either block is missing or not an Ed25519 key
   */
  public static KeyPair readPair(String text) {
    int split = text.indexOf("-----BEGIN PUBLIC KEY-----");
    if (split < 0 || !text.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new IllegalArgumentException("a signing key file holds a PEM 'PRIVATE KEY' block "
          + "followed by its 'PUBLIC KEY' block (as keygen writes it)");
    }
    return new KeyPair(readPublic(text.substring(split)), readPrivate(text.substring(0, split)));
  }

  /**
   * Reads a private key: PEM text, or bare base64 of PKCS#8 DER.
   *
   * @throws IllegalArgumentException when the text is not an Ed25519 private key
   */
  public static PrivateKey readPrivate(String text) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(
          new PKCS8EncodedKeySpec(der(text, "PRIVATE KEY")));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an Ed25519 private key (PEM 'PRIVATE KEY' or "
          + "base64 PKCS#8): " + e.getMessage(), e);
    }
  }

  /**
   * Reads a public key: PEM text, or bare base64 of X.509 DER.
   *
   * @throws IllegalArgumentException when the text is not an Ed25519 public key
   */
  public static PublicKey readPublic(String text) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(
          new X509EncodedKeySpec(der(text, "PUBLIC KEY")));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an Ed25519 public key (PEM 'PUBLIC KEY' or "
          + "base64 X.509): " + e.getMessage(), e);
    }
  }

  /**
   * The keys in a file, or the text itself when it is key text (PEM, or base64 without a slash).
   *
   * @throws IllegalArgumentException when it names a file (has a slash, or ends in .pub/.key)
   *     that does not exist
   */
  public static String textOf(String fileOrText) throws IOException {
    if (fileOrText.contains("-----BEGIN") || fileOrText.length() > 200) {
      return fileOrText;
    }
    Path path = Path.of(fileOrText);
    if (Files.isRegularFile(path)) {
      return Files.readString(path);
    }
    if (fileOrText.contains("/") || fileOrText.endsWith(".pub") || fileOrText.endsWith(".key")) {
      throw new IllegalArgumentException("no such key file: " + fileOrText);
    }
    return fileOrText;
  }

  private static final Set<String> KNOWN = Set.of("PRIVATE KEY", "PUBLIC KEY");

  private static byte[] der(String text, String type) {
    String body = text.strip();
    if (body.startsWith("-----BEGIN ")) {
      int endOfBegin = body.indexOf("-----", 11);
      String found = endOfBegin < 0 ? "" : body.substring(11, endOfBegin);
      if (!KNOWN.contains(found) || !found.equals(type)) {
        throw new IllegalArgumentException("PEM block is '" + found + "', expected '" + type
            + "'");
      }
      int end = body.indexOf("-----END ");
      if (end < 0) {
        throw new IllegalArgumentException("PEM block has no END line");
      }
      body = body.substring(endOfBegin + 5, end);
    }
    return Base64.getMimeDecoder().decode(body);
  }
}
