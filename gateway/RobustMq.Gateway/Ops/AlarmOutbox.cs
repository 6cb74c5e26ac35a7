namespace RobustMq.Gateway.Ops;

/// <summary>
/// Alarm changes waiting to be published on <c>$SYS</c> (see <see cref="AlarmMonitor"/>), oldest first. Each is
/// published on its own; one that fails stays, with the later changes of the same alarm (so an alert is never seen
/// after its clear), and is tried again at the next <see cref="PublishAsync"/>. At most <see cref="Capacity"/> wait:
/// past it the oldest are dropped. Not thread-safe: the alarm check loop owns it.
/// </summary>
public sealed class AlarmOutbox(int capacity = AlarmOutbox.DefaultCapacity)
{
    public const int DefaultCapacity = 1000;

    private readonly List<(string Name, string Topic, byte[] Payload)> _pending = [];

    public int Capacity => capacity;

    /// <summary>How many changes wait.</summary>
    public int Count => _pending.Count;

    /// <summary>Adds a change of alarm <paramref name="name"/> to publish on <paramref name="topic"/>; returns how many old ones were dropped to make room.</summary>
    public int Add(string name, string topic, byte[] payload)
    {
        _pending.Add((name, topic, payload));
        var over = Math.Max(0, _pending.Count - capacity);
        _pending.RemoveRange(0, over);
        return over;
    }

    /// <summary>
    /// Publishes every waiting change through <paramref name="publish"/>; <paramref name="failed"/> hears of each that
    /// threw (it stays). A cancellation of <paramref name="cancellationToken"/> is thrown on; what was not sent stays.
    /// </summary>
    public async Task PublishAsync(Func<string, byte[], CancellationToken, ValueTask> publish, Action<Exception, string, string> failed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publish);
        ArgumentNullException.ThrowIfNull(failed);
        HashSet<string>? held = null;
        var kept = 0;
        var i = 0;
        try
        {
            for (; i < _pending.Count; i++)
            {
                var change = _pending[i];
                var sent = false;
                if (held is null || !held.Contains(change.Name))
                {
                    try
                    {
                        await publish(change.Topic, change.Payload, cancellationToken);
                        sent = true;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        failed(ex, change.Name, change.Topic);
                    }
                }

                if (!sent)
                {
                    (held ??= new(StringComparer.Ordinal)).Add(change.Name);
                    _pending[kept++] = change;
                }
            }
        }
        finally
        {
            // Sent ones go; the rest (failed, held, or not reached when cancelled) keep their order.
            var rest = _pending.Count - i;
            for (var j = 0; j < rest; j++)
            {
                _pending[kept + j] = _pending[i + j];
            }

            _pending.RemoveRange(kept + rest, _pending.Count - kept - rest);
        }
    }
}
