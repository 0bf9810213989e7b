package dev.streamvae.cli;

import dev.streamvae.testkit.EmbeddedKafkaCluster;
import dev.streamvae.testkit.KafkaCluster;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

/** {@code anomaly broker}: a local single-node Kafka (KRaft) for trying train and score. */
@Command(name = "broker", mixinStandardHelpOptions = true,
    description = {
        "Start a single-node Kafka broker (KRaft, in-process, 127.0.0.1 only, data deleted on",
        "exit) and print its address, for trying 'produce', 'train' and 'score' locally."})
public final class BrokerCommand implements Callable<Integer> {

  @Override
  public Integer call() throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    KafkaCluster cluster = EmbeddedKafkaCluster.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      cluster.close();
      stopped.countDown();
    }, "broker-shutdown"));
    System.out.println("broker running at " + cluster.bootstrapServers()
        + "; Ctrl-C stops it and deletes its data");
    System.out.println("  export KAFKA_BOOTSTRAP_SERVERS=" + cluster.bootstrapServers());
    stopped.await();
    return 0;
  }
}
