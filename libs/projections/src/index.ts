/**
 * Read models and the projector that builds them from the event log (issue: projections and
 * dashboards). Until then this library only defines the checkpoint contract the projector keeps.
 */
export interface ProjectionCheckpoint {
  projection: string;
  /** Global position of the last event applied; read models and checkpoint move in one transaction. */
  position: number;
}
