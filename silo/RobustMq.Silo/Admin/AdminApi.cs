using Prometheus;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Routing;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The admin HTTP endpoints of a node: health, <c>/metrics</c>, and read-only views. Every JSON property name is
/// written out (anonymous members or <see cref="System.Text.Json.Serialization.JsonPropertyNameAttribute"/>), never
/// derived from a C# name by the camel-case policy.
/// </summary>
public static class AdminApi
{
    public static void Map(IApplicationBuilder app, CollectorRegistry registry)
    {
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapMetrics("/metrics", registry);
            endpoints.MapGet("/api/health", () => Results.Ok(new { status = "ok" }));
            endpoints.MapGet("/api/node", (NodeIdentity node, ConnectionRegistry connections, RouteCache routes) =>
                Results.Ok(new { node = node.Name, name = node.DisplayName, connections = connections.Count, routes = routes.Count }));
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
