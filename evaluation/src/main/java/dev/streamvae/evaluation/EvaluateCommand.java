package dev.streamvae.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
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
 * ({@code STREAMVAE_DEBUG=1} adds the stack trace), as {@link #configure} arranges.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, version = "streamvae 0.1.0",
    description = "Evaluate detectors offline: NAB (as NAB scores it) or labelled CSVs.",
    subcommands = {EvaluateNabCommand.class, EvaluateCsvCommand.class,
        CommandLine.HelpCommand.class})
public final class EvaluateCommand implements Runnable {

  /** Exit status for a usage mistake. */
  public static final int USAGE_ERROR = 2;
  /** Exit status for a failure while running. */
  public static final int RUN_ERROR = 1;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand: nab or csv");
  }

  /** Entry point when run on its own. */
  public static void main(String[] args) {
    System.exit(configure(new CommandLine(new EvaluateCommand())).execute(args));
  }

  /**
   * Installs one-line error handlers on {@code commandLine} and its subcommands (the behaviour of
   * the trainer's {@code CommandLines}, repeated here so this module needs no trainer).
   */
  public static CommandLine configure(CommandLine commandLine) {
    commandLine.setParameterExceptionHandler((ex, args) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("error: " + ex.getMessage());
      err.println("try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
      return USAGE_ERROR;
    });
    commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      PrintWriter err = cmd.getErr();
      if (System.getenv("STREAMVAE_DEBUG") != null) {
        ex.printStackTrace(err);
      }
      err.println("error: " + describe(ex));
      return ex instanceof IllegalArgumentException ? USAGE_ERROR : RUN_ERROR;
    });
    return commandLine;
  }

  /** The most useful one-line description of a failure. */
  static String describe(Throwable ex) {
    Throwable t = ex;
    while (t.getMessage() == null && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (t instanceof java.nio.file.NoSuchFileException) {
      message = "no such file: " + message;
    } else if (t instanceof java.nio.file.AccessDeniedException) {
      message = "permission denied: " + message;
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** Writes {@code value} as indented JSON. */
  static void writeJson(Path path, Object value) throws IOException {
    Files.createDirectories(path.toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(path.toFile(), value);
  }
}
