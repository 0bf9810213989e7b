package dev.streamvae.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamvae.commandline.CommandLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code evaluate}: measure detectors offline. {@code evaluate nab} runs the Numenta Anomaly
 * Benchmark and scores it as NAB does; {@code evaluate csv} measures point-wise metrics on any
 * folder of labelled CSVs.
 *
 * <p>Runs standalone through {@link #main} or as a subcommand of another command line; either way
 * a usage mistake prints one line and exits 2, a failure while running one line and exits 1
 * ({@code STREAMVAE_DEBUG=1} adds the stack trace), as {@link CommandLines#configure} arranges.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, version = "streamvae 0.1.0",
    description = "Evaluate detectors offline: NAB (as NAB scores it) or labelled CSVs.",
    subcommands = {EvaluateNabCommand.class, EvaluateCsvCommand.class,
        CommandLine.HelpCommand.class})
public final class EvaluateCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand: nab or csv");
  }

  /** Entry point when run on its own. */
  public static void main(String[] args) {
    System.exit(CommandLines.configure(new CommandLine(new EvaluateCommand())).execute(args));
  }

  /** Writes {@code value} as indented JSON. */
  static void writeJson(Path path, Object value) throws IOException {
    Files.createDirectories(path.toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(path.toFile(), value);
  }
}
