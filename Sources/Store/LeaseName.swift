

/// The names of the leases the server's jobs run under.
public enum LeaseName {
    public static let retentionSweep = "retention sweep"
    public static let orderRecovery = "order recovery"
    public static let all = [retentionSweep, orderRecovery]
}
