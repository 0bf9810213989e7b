package dev.streamvae.commandline;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Makes a picocli command line answer mistakes the way users expect: a one-line message and a
 * non-zero exit, never a stack trace (set {@code STREAMVAE_DEBUG=1} to see one).
 */
public final class CommandLines {

  /** Exit status for a usage mistake. */
  public static final int USAGE_ERROR = 2;
  /** Exit status for a failure while running. */
  public static final int RUN_ERROR = 1;

  private CommandLines() {}

  /** Installs the one-line error handlers on {@code commandLine} and returns it. */
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
  public static String describe(Throwable ex) {
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
}
