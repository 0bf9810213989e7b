package dev.streamvae.cli;

import dev.streamvae.evaluation.EvaluateCommand;
import dev.streamvae.commandline.CommandLines;
import dev.streamvae.trainer.KeygenCommand;
import dev.streamvae.trainer.TrainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./anomaly}: the product's one command line. */
@Command(name = "anomaly", mixinStandardHelpOptions = true, version = "streamvae 0.1.0",
    description = "Streaming VAE anomaly detection for Kafka.",
    subcommands = {DemoCommand.class, TrainCommand.class, KeygenCommand.class,
        ScoreCommand.class, BenchCommand.class,
        BrokerCommand.class, ProduceCommand.class, EvaluateCommand.class,
        CommandLine.HelpCommand.class})
public final class AnomalyCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Entry point of the launcher script. */
  public static void main(String[] args) {
    int status = CommandLines.configure(new CommandLine(new AnomalyCli())).execute(args);
    System.exit(status);
  }
}
