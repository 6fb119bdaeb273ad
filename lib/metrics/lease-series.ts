// How many election leases get Prometheus series of their own (LEASETRAIL_METRICS_MAX_LEASE_SERIES): the
// lease signals computed at scrape time and the controller's renewal histograms obey the same cap.
export const defaultMaxLeaseSeries = 5_000;
