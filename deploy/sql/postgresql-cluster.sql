-- RobustMq.Orleans: the PostgreSQL tables and queries of Orleans ADO.NET clustering (Cluster:Mode=AdoNet).
--
-- Written for this project to the contract of Microsoft.Orleans.Clustering.AdoNet 10.x, which ships no SQL:
--   * the provider reads its queries with "SELECT QueryKey, QueryText FROM OrleansQuery" and refuses to start
--     unless every key below is there;
--   * it binds named parameters: @DeploymentId (Cluster:ClusterId), @Address, @Port, @Generation (the silo
--     address), @SiloName, @HostName, @Status (Orleans SiloStatus as an int: 3 = Active), @ProxyPort (the silo's
--     client gateway port), @SuspectTimes ("silo,time|silo,time"), @StartTime, @IAmAliveTime (UTC) and
--     @Version (the table version the writer read, its etag: a write succeeds only if the stored version is still
--     @Version, and moves it on by one);
--   * reads return the columns by these names; membership reads return one row per member, or one row with
--     only the version when there is none (the version row always exists once a silo has started).
--
-- Apply with `robustmq db init --connection "Host=...;Username=...;Database=..."`. Idempotent: running it
-- again changes nothing but the query texts, which it replaces with this version's.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

-- One row per cluster (Cluster:ClusterId): the version every membership change moves on by one.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL PRIMARY KEY,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0
);

-- One row per silo incarnation (address, port and generation, the start time of the process).
CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150) NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address      varchar(45)  NOT NULL,
    Port         integer      NOT NULL,
    Generation   integer      NOT NULL,
    SiloName     varchar(150) NOT NULL,
    HostName     varchar(150) NOT NULL,
    Status       integer      NOT NULL,
    ProxyPort    integer      NULL,
    SuspectTimes text         NULL,
    StartTime    timestamptz  NOT NULL,
    IAmAliveTime timestamptz  NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'InsertMembershipVersionKey',
    'WITH created AS (
        INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (@DeploymentId)
        ON CONFLICT (DeploymentId) DO NOTHING
        RETURNING 1)
     SELECT count(*) > 0 FROM created'
),
(
    -- The version row is locked by the UPDATE, so concurrent writers take turns and only one moves it on.
    'InsertMembershipKey',
    'WITH moved AS (
        UPDATE OrleansMembershipVersionTable SET Version = Version + 1, Timestamp = now()
        WHERE DeploymentId = @DeploymentId AND Version = @Version
          AND NOT EXISTS (SELECT 1 FROM OrleansMembershipTable
                          WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
        RETURNING 1),
     inserted AS (
        INSERT INTO OrleansMembershipTable
            (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
        SELECT @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
        WHERE EXISTS (SELECT 1 FROM moved)
        RETURNING 1)
     SELECT count(*) > 0 FROM inserted'
),
(
    'UpdateMembershipKey',
    'WITH moved AS (
        UPDATE OrleansMembershipVersionTable SET Version = Version + 1, Timestamp = now()
        WHERE DeploymentId = @DeploymentId AND Version = @Version
          AND EXISTS (SELECT 1 FROM OrleansMembershipTable
                      WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
        RETURNING 1),
     updated AS (
        UPDATE OrleansMembershipTable
        SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
        WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
          AND EXISTS (SELECT 1 FROM moved)
        RETURNING 1)
     SELECT count(*) > 0 FROM updated'
),
(
    'UpdateIAmAlivetimeKey',
    'UPDATE OrleansMembershipTable SET IAmAliveTime = @IAmAliveTime
     WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation'
),
(
    'MembershipReadRowKey',
    'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
            m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
     FROM OrleansMembershipVersionTable v
     LEFT JOIN OrleansMembershipTable m
       ON m.DeploymentId = v.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
     WHERE v.DeploymentId = @DeploymentId'
),
(
    'MembershipReadAllKey',
    'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
            m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
     FROM OrleansMembershipVersionTable v
     LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
     WHERE v.DeploymentId = @DeploymentId'
),
(
    'GatewaysQueryKey',
    'SELECT Address, ProxyPort, Generation FROM OrleansMembershipTable
     WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0'
),
(
    'DeleteMembershipTableEntriesKey',
    'DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
     DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId'
),
(
    -- Rows of silos that stopped (any status but Active) and have not said they are alive since @IAmAliveTime.
    'CleanupDefunctSiloEntriesKey',
    'DELETE FROM OrleansMembershipTable
     WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3'
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
