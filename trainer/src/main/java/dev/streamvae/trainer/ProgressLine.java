package dev.streamvae.trainer;

import dev.streamvae.vae.EpochListener;
import dev.streamvae.vae.EpochStats;
import java.io.PrintStream;

/** Prints one progress line per epoch: a bar, the loss and its two terms, and the speed. */
public final class ProgressLine implements EpochListener {

  private static final int BAR_WIDTH = 20;

  private final PrintStream out;

  /** @param out where the lines go */
  public ProgressLine(PrintStream out) {
    this.out = out;
  }

  @Override
  public void onEpoch(EpochStats s) {
    out.println(format(s));
  }

  /** The line for one epoch. */
  public static String format(EpochStats s) {
    int filled = (int) Math.round(BAR_WIDTH * (double) s.epoch() / s.epochs());
    String bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
    return String.format("epoch %3d/%-3d [%s] loss %10.4f  recon %10.4f  kl %8.4f  %,7d win/s",
        s.epoch(), s.epochs(), bar, s.loss(), s.reconstruction(), s.kl(), s.windowsPerSecond());
  }
}
