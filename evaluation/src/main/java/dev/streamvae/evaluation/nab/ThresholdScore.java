package dev.streamvae.evaluation.nab;

/**
 * The NAB score of a set of scorable records at one threshold: records whose anomaly score is
 * {@code >= threshold} are detections. The counts are of records (not windows), as NAB reports
 * them: {@code tp} detections inside windows, {@code fp} outside, {@code fn} undetected records
 * inside windows, {@code tn} undetected records outside. Probationary records are not counted.
 *
 * @param threshold the lowest anomaly score counted as a detection; 1.1 (above any score) means
 *     no detection at all, as in NAB
 * @param score the raw (unnormalised) NAB score
 * @param tp detected records inside windows
 * @param tn undetected records outside windows
 * @param fp detected records outside windows
 * @param fn undetected records inside windows
 * @param total scorable records
 */
public record ThresholdScore(double threshold, double score, long tp, long tn, long fp, long fn,
    long total) {}
