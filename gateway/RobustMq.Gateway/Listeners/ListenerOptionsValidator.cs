using System.Net;
using Microsoft.Extensions.Options;

namespace RobustMq.Gateway.Listeners;

/// <summary>Start-up checks of <c>Listeners</c>; each message names the key.</summary>
public sealed class ListenerOptionsValidator : IValidateOptions<ListenerOptions>
{
    public ValidateOptionsResult Validate(string? name, ListenerOptions options)
    {
        var errors = new List<string>();
        if (options.Tcp.Enabled)
        {
            CheckPort(errors, "Listeners:Tcp:Port", options.Tcp.Port);
            CheckAddress(errors, "Listeners:Tcp:Address", options.Tcp.Address);
        }

        if (options.WebSocket.Enabled)
        {
            CheckPort(errors, "Listeners:WebSocket:Port", options.WebSocket.Port);
            CheckAddress(errors, "Listeners:WebSocket:Address", options.WebSocket.Address);
            if (!options.WebSocket.Path.StartsWith('/'))
            {
                errors.Add($"Listeners:WebSocket:Path must start with '/' (got '{options.WebSocket.Path}')");
            }
        }

        if (options.Tcp.Enabled && options.WebSocket.Enabled && options.Tcp.Port == options.WebSocket.Port)
        {
            errors.Add($"Listeners:WebSocket:Port must differ from Listeners:Tcp:Port (both {options.Tcp.Port})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static void CheckPort(List<string> errors, string key, int port)
    {
        if (port is < 1 or > 65535)
        {
            errors.Add($"{key} must be 1-65535 (got {port})");
        }
    }

    private static void CheckAddress(List<string> errors, string key, string address)
    {
        if (!IPAddress.TryParse(address, out _))
        {
            errors.Add($"{key} must be an IP address (got '{address}')");
        }
    }
}
