// The live stream sends a heartbeat event this often; a client that hears nothing for two of them is not live.
export const liveHeartbeatMs = 15_000;
