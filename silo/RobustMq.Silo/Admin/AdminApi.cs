using Prometheus;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Routing;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The admin HTTP endpoints of a node: health, <c>/metrics</c>, read-only views (<c>/api/node</c>, <c>/api/nodes</c>:
/// <c>[{"address", "name", "status": "active|joining|shuttingdown|stopping|dead|…", "self"}]</c>, <c>/api/clients</c>,
/// <c>/api/routes</c>), the probes <c>/health/live</c> and <c>/health/ready</c>, the authenticated API <c>/api/v1</c>
/// (<see cref="ApiV1"/>, its OpenAPI document at <c>/api/v1/openapi.json</c>), and the built-in users and the
/// blacklist (<see cref="UserApi"/>, <see cref="BlacklistApi"/>, guarded by <see cref="OperatorOnly"/>). Every JSON property name is
/// written out (anonymous members or <see cref="System.Text.Json.Serialization.JsonPropertyNameAttribute"/>), never
/// derived from a C# name by the camel-case policy.
/// </summary>
public static class AdminApi
{
    public static void Map(IApplicationBuilder app, CollectorRegistry registry)
    {
        app.UseRouting();
        app.Use(RawPathValues.Apply);
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapMetrics("/metrics", registry);
            endpoints.MapGet("/api/health", () => Results.Ok(new { status = "ok" }));
            // Probes, outside the authentication: live while the process answers; ready once this silo is an active
            // member of the cluster (its listeners open after that), 503 otherwise.
            endpoints.MapGet("/health/live", () => Results.Ok(new { status = "live" }));
            endpoints.MapGet("/health/ready", (IClusterMembershipService membership, ILocalSiloDetails silo) =>
                membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Active
                    ? Results.Ok(new { status = "ready" })
                    : Results.Json(new { status = "not_ready" }, statusCode: StatusCodes.Status503ServiceUnavailable));
            endpoints.MapOpenApi("/api/v1/openapi.json");
            ApiV1.Map(endpoints);
            Dashboard.DashboardAssets.Map(endpoints);
            endpoints.MapGet("/api/node", async (NodeIdentity node, ConnectionRegistry connections, RouteCache routes, IGrainFactory grains, ILocalSiloDetails silo) =>
            {
                // Grain activations on this node by grain class (which state it hosts: none of the durable ones on a
                // gateway-only silo, Node:Roles).
                SimpleGrainStatistic[] statistics;
                try
                {
                    statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics([silo.SiloAddress]).WaitAsync(TimeSpan.FromSeconds(3));
                }
                catch (Exception ex) when (ex is TimeoutException or OrleansException)
                {
                    // The counts need no grain call: they are answered without the activations.
                    return Results.Ok(new { node = node.Name, name = node.DisplayName, connections = connections.Count, routes = routes.Count, activations = (object?)null });
                }

                var activations = new SortedDictionary<string, int>(StringComparer.Ordinal);
                foreach (var statistic in statistics)
                {
                    // "Namespace.Class,Assembly": the class name.
                    var type = statistic.GrainType.Split(',')[0];
                    var name = type[(type.LastIndexOf('.') + 1)..];
                    activations[name] = activations.GetValueOrDefault(name) + statistic.ActivationCount;
                }

                return Results.Ok(new { node = node.Name, name = node.DisplayName, connections = connections.Count, routes = routes.Count, activations = (object?)activations });
            });
            endpoints.MapGet("/api/clients", (ConnectionRegistry connections) =>
            {
                var list = new List<ClientView>();
                foreach (var c in connections.Connections)
                {
                    if (c.ClientId is not null && c.ConnectedAt is not null)
                    {
                        list.Add(ClientView.Of(c));
                    }
                }

                return Results.Ok(list);
            });
            // The cluster's members as this node sees them (membership spreads in seconds): every silo the
            // membership table knows, dead ones included until they are cleaned out, this node's own marked.
            endpoints.MapGet("/api/nodes", (IClusterMembershipService membership, ILocalSiloDetails silo) =>
                Results.Ok(membership.CurrentSnapshot.Members.Values
                    .OrderBy(m => m.SiloAddress.ToParsableString(), StringComparer.Ordinal)
                    .Select(m => new
                    {
                        address = m.SiloAddress.ToParsableString(),
                        name = m.Name,
                        status = m.Status.ToString().ToLowerInvariant(),
                        self = m.SiloAddress.Equals(silo.SiloAddress),
                    })
                    .ToList()));
            UserApi.Map(endpoints);
            BlacklistApi.Map(endpoints);
            AclApi.Map(endpoints);
            endpoints.MapGet("/api/routes", (RouteCache routes) =>
            {
                var snapshot = routes.Snapshot();
                var list = new List<RouteView>(snapshot.Count);
                foreach (var entry in snapshot)
                {
                    list.Add(RouteView.Of(entry));
                }

                return Results.Ok(list);
            });
        });
    }
}
