/// Every collector this build knows, in `--help` order. Each collector file contributes its module.
public enum CollectorCatalog {
    public static let modules: [CollectorModule] =
        HostCollectors.modules + TextfileCollectors.modules + FilesCollectors.modules + ContainerCollectors.modules
        + PostgresCollectors.modules + TLSCollectors.modules + RedisCollectors.modules + NginxCollectors.modules
        + HTTPCollectors.modules
}
