package syslens.agent;

/** Where an {@link Agent} is. */
public enum AgentState {
  /** Not started yet. */
  NEW,
  /** Started; no stream accepted by the server right now (first connect or reconnecting). */
  CONNECTING,
  /** The server accepted the current stream (it sent an Ack or a ConfigUpdate). */
  CONNECTED,
  /** The server refused the agent for good (fatal Reject); it stopped and will not retry. */
  STOPPED_FATAL,
  /** Closed by its owner. */
  STOPPED
}
