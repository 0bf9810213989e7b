package dev.streamvae.trainer;

import dev.streamvae.commandline.CommandLines;
import dev.streamvae.vae.SigningKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code anomaly keygen}: write an Ed25519 key pair for signing models. */
@Command(name = "keygen", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Write an Ed25519 key pair for signing models: NAME.key (private, for the trainer's "
            + "--signing-key; keep it secret) and NAME.pub (public, for the scorers' "
            + "scorer.models.trusted-keys)."})
public final class KeygenCommand implements Callable<Integer> {

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "keys",
      description = "Directory to write the keys to (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--name", defaultValue = "signing",
      description = "File name of the pair, without extension (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--public-out", paramLabel = "DIR",
      description = "Write the public key here instead (e.g. a volume only scorers mount).")
  Path publicDir;

  @Option(names = "--force", description = "Replace existing key files.")
  boolean force;

  @Option(names = "--if-missing",
      description = "Do nothing (and succeed) when both files exist: for a one-shot setup step.")
  boolean ifMissing;

  @Override
  public Integer call() throws Exception {
    Path privateFile = dir.resolve(name + ".key");
    Path publicFile = (publicDir == null ? dir : publicDir).resolve(name + ".pub");
    if (ifMissing && Files.exists(privateFile) && Files.exists(publicFile)) {
      spec.commandLine().getOut().println("keys exist: " + privateFile + ", " + publicFile);
      spec.commandLine().getOut().flush();
      return 0;
    }
    if (!force && (Files.exists(privateFile) || Files.exists(publicFile))) {
      throw new IllegalArgumentException(privateFile + " or " + publicFile
          + " exists; use --force to replace the pair");
    }
    Files.createDirectories(dir);
    Files.createDirectories(publicFile.toAbsolutePath().getParent());
    KeyPair pair = SigningKeys.generate();
    SigningKeys.write(pair, privateFile, publicFile);
    spec.commandLine().getOut().printf("key %s%n  private: %s (trainer --signing-key)%n"
            + "  public:  %s (scorer.models.trusted-keys)%n",
        SigningKeys.keyId(pair.getPublic()), privateFile, publicFile);
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** Runs the command on its own. */
  public static void main(String[] args) {
    System.exit(CommandLines.configure(new CommandLine(new KeygenCommand())).execute(args));
  }
}
