package syslens.server.live;

/** The headline numbers of one node at one time, pushed to dashboards. Null: not computable yet. */
public record LiveSample(String nodeId, long t, Double cpuPercent, Double memoryPercent,
    Double load1, Double netRxBytesPerSec, Double netTxBytesPerSec, Double diskReadBytesPerSec,
    Double diskWriteBytesPerSec, Double diskPercent) {}
