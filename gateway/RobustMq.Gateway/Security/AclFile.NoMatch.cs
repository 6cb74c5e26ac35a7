using RobustMq.Gateway.Connections;

namespace RobustMq.Gateway.Security;

/// <summary><c>Acl:NoMatch</c> changed at run time (<c>PUT /api/v1/configs</c>, <see cref="Settings.RuntimeSettings"/>).</summary>
public sealed partial class AclFile
{
    /// <summary><c>Acl:NoMatch</c> in force: <c>allow</c> or <c>deny</c>.</summary>
    public string NoMatch => NoMatchAllow ? "allow" : "deny";

    /// <summary>
    /// Makes the node's rules again with <paramref name="noMatch"/> (<c>allow</c> or <c>deny</c>) and tells the connected
    /// clients (<see cref="MqttConnection.AclChanged"/>): true. Nothing changes, true, when it is the one in force. A file
    /// that no longer reads keeps the rules in force and the <c>Acl:NoMatch</c> they were made with (with its warning):
    /// false, and the next call tries again.
    /// </summary>
    public bool ApplyNoMatch(string noMatch)
    {
        lock (_gate)
        {
            if (string.Equals(NoMatch, noMatch, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            AclRuleSet rules;
            try
            {
                rules = Load(!string.Equals(noMatch, "deny", StringComparison.OrdinalIgnoreCase));
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                LogReloadFailed(_logger, _options.File ?? "", ex.Message);
                return false;
            }

            _options.NoMatch = noMatch;
            _current = rules;
        }

        foreach (var connection in _connections.Connections)
        {
            connection.AclChanged();
        }

        return true;
    }
}
