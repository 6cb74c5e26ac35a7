namespace RobustMq.Benchmarks.Load;

/// <summary>
/// End-to-end flow control across all publishers of a scenario: they may run at most <see cref="Limit"/>
/// deliveries ahead of what the subscribers have received. Without it an open-loop QoS 0 publisher fills the
/// broker's queues (Mosquitto's without bound) and the figures measure the backlog rather than the broker. The
/// socket flush and the QoS 1/2 window still apply underneath.
/// </summary>
public sealed class FlowGate
{
    /// <summary>Calls of <see cref="Nudge"/> without progress before the outstanding deliveries are written off.</summary>
    public const int StallNudges = 5;

    private readonly int _copies;
    private LoadClient[] _publishers = [];
    private long _published;
    private long _delivered;
    private long _writtenOff;
    private long _deliveredAtLastNudge = -1;
    private int _stalledNudges;
    private int _blocked;

    public FlowGate(long limit, int copiesPerMessage)
    {
        Limit = Math.Max(limit, copiesPerMessage);
        _copies = copiesPerMessage;
    }

    /// <summary>Deliveries that may be outstanding (published × copies − received).</summary>
    public long Limit { get; }
    /// <summary>Deliveries given up on after a stall (a broker dropping QoS 0 by design, or losing messages).</summary>
    public long WrittenOff => Volatile.Read(ref _writtenOff);

    /// <summary>The clients to wake when the gate opens again.</summary>
    public void Attach(LoadClient[] publishers) => _publishers = publishers;

    /// <summary>How many of <paramref name="wanted"/> messages a publisher may write now (0: wait for a wake-up).</summary>
    public int Admit(int wanted)
    {
        var allowed = Allowed(wanted);
        if (allowed == 0)
        {
            // Full fence, then look again: a delivery that raced with us either sees the flag or is seen here.
            Interlocked.Exchange(ref _blocked, 1);
            allowed = Allowed(wanted);
        }

        if (allowed > 0)
        {
            Interlocked.Add(ref _published, (long)allowed * _copies);
        }

        return allowed;
    }

    /// <summary>A subscriber received one of our messages.</summary>
    public void OnDelivered()
    {
        var delivered = Interlocked.Increment(ref _delivered);
        if (Volatile.Read(ref _blocked) == 1 && Volatile.Read(ref _published) - delivered <= Limit / 2)
        {
            Open();
        }
    }

    /// <summary>
    /// Called every 200 ms or so by the scenario: when the gate has been shut with nothing arriving for
    /// <see cref="StallNudges"/> calls in a row, the outstanding deliveries are written off so that publishing resumes.
    /// </summary>
    public void Nudge()
    {
        var delivered = Volatile.Read(ref _delivered);
        var stalled = Volatile.Read(ref _blocked) == 1 && delivered == _deliveredAtLastNudge;
        _stalledNudges = stalled ? _stalledNudges + 1 : 0;
        if (_stalledNudges >= StallNudges)
        {
            _stalledNudges = 0;
            var outstanding = Volatile.Read(ref _published) - delivered;
            Interlocked.Add(ref _writtenOff, outstanding);
            Console.Error.WriteLine($"load: no delivery for {StallNudges} checks with the gate shut; writing off {outstanding} deliveries");
            Interlocked.Add(ref _delivered, outstanding);
            Open();
        }

        _deliveredAtLastNudge = Volatile.Read(ref _delivered);
    }

    private int Allowed(int wanted)
    {
        var room = Limit - (Volatile.Read(ref _published) - Volatile.Read(ref _delivered));
        return (int)Math.Clamp(room / _copies, 0, wanted);
    }

    private void Open()
    {
        if (Interlocked.Exchange(ref _blocked, 0) == 1)
        {
            foreach (var publisher in _publishers)
            {
                publisher.Wake();
            }
        }
    }
}
