package dev.streamvae.trainer;

import java.io.IOException;

/** Where the trainer reads its history from. */
public interface HistorySource {

  /** Reads the whole history this source describes. */
  History read() throws IOException;

  /** One line saying what is read, for the progress output. */
  String describe();
}
