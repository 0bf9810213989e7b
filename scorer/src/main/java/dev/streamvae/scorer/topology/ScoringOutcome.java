package dev.streamvae.scorer.topology;

import dev.streamvae.schemas.ScoreRecord;

/**
 * What the scoring processor emits for one input record: a score record or a dead letter, and,
 * when its model has a shadow candidate, also the candidate's score record.
 */
public sealed interface ScoringOutcome {

  /**
   * A score record (scored, warming up, or no model) for the scores topic.
   *
   * @param record the score record
   */
  record Scored(ScoreRecord record) implements ScoringOutcome {}

  /**
   * Input that could not be parsed or scored; the reason travels in headers.
   *
   * @param payload the input's bytes (or, for records that failed at scoring time, the record
   *     re-encoded from state)
   */
  record DeadLetter(byte[] payload) implements ScoringOutcome {}

  /**
   * The shadow candidate's score record for the shadow topic; never counted as the record's
   * outcome.
   *
   * @param record the candidate's score record
   */
  record Shadow(ScoreRecord record) implements ScoringOutcome {}
}
