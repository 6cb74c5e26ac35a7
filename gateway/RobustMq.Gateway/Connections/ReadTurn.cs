namespace RobustMq.Gateway.Connections;

/// <summary>
/// One synchronous turn of a connection's read loop: the packets it took from one read, handled up to the first wait.
/// Write loops its packets wake (a delivery to a subscriber, the publisher's own PUBACK) are woken when the turn ends,
/// on the same thread and in the order they were rung, instead of one thread-pool hop each: what arrived on a socket
/// is parsed, routed and written by the thread that read it, as in an event loop. A turn ends before the read loop
/// awaits anything that has not completed, so it never spans threads.
/// </summary>
/// <remarks>
/// Turns nest (a read loop resumed inline within another's turn): the outermost one wakes them all. A write loop woken
/// here runs until its next wait; it writes with non-blocking sends and goes asynchronous when the socket is full, so
/// a slow client does not hold the thread, and after <see cref="MaxInARow"/> wakes without a wait it goes on on the
/// pool, so a busy one does not either. A loop rung by another thread while its wake is held here waits for this turn.
/// </remarks>
internal static class ReadTurn
{
    /// <summary>
    /// Write loops one turn wakes on its own thread at most: a ping-pong or a fan-in wakes two (the subscriber and the
    /// publisher's PUBACK); a fan-out wakes one per subscriber, and those past this go to the thread pool at once, so
    /// the other cores share the writes (all on one thread, 1,000 subscribers got 530k deliveries/s against 890k, medians
    /// of 3 runs of <c>load fanout</c> on 2 cores).
    /// </summary>
    internal const int MaxInline = 8;

    /// <summary>
    /// Reads (or write-loop wakes) in a row that completed without waiting, after which a loop on a socket event thread
    /// goes on on the thread pool: a client that always has more to send, or a subscriber rung without pause, would
    /// otherwise keep the event thread, and every other socket of its loop, to itself.
    /// </summary>
    internal const int MaxInARow = 16;

    [ThreadStatic]
    private static List<Doorbell>? t_woken;

    [ThreadStatic]
    private static int t_depth;

    /// <summary>Starts a turn (or nests one) on this thread.</summary>
    public static void Enter() => t_depth++;

    /// <summary>
    /// Ends the turn; the outermost one wakes every write loop rung during it (and those these ring in turn), in order.
    /// </summary>
    public static void Exit()
    {
        if (t_depth > 1)
        {
            t_depth--;
            return;
        }

        var woken = t_woken;
        if (woken is null || woken.Count == 0)
        {
            t_depth = 0;
            return;
        }

        var next = 0;
        try
        {
            // Still inside the turn: what the woken loops ring joins the list and is woken by this loop too.
            while (next < woken.Count)
            {
                woken[next++].WakeInline();
            }
        }
        finally
        {
            t_depth = 0;
            try
            {
                // Only if a wake threw (a bug): the loops not reached yet are woken on the pool rather than never.
                for (; next < woken.Count; next++)
                {
                    woken[next].WakeOnPool();
                }
            }
            finally
            {
                // Never woken twice: a held wake belongs to this turn only.
                woken.Clear();
            }
        }
    }

    /// <summary>
    /// Holds <paramref name="doorbell"/>'s wake-up for the end of this thread's turn; false outside a turn, or when the
    /// turn holds <see cref="MaxInline"/> already (the caller wakes it on the pool).
    /// </summary>
    internal static bool Defer(Doorbell doorbell)
    {
        if (t_depth == 0)
        {
            return false;
        }

        var woken = t_woken ??= [];
        if (woken.Count >= MaxInline)
        {
            return false;
        }

        woken.Add(doorbell);
        return true;
    }
}

/// <summary>
/// Counts a loop's waits that completed at once (a read that found data, a doorbell already rung); after
/// <see cref="ReadTurn.MaxInARow"/> in a row on a socket event thread, the loop should go on on the thread pool.
/// </summary>
internal struct InARow
{
    private int _count;

    /// <summary>Whether to yield (<c>await Task.Yield()</c>) before going on, given how the wait just returned.</summary>
    public bool ShouldYield(bool completedAtOnce)
    {
        if (!completedAtOnce)
        {
            _count = 0;
            return false;
        }

        if (++_count < ReadTurn.MaxInARow || Thread.CurrentThread.IsThreadPoolThread)
        {
            return false;
        }

        _count = 0;
        return true;
    }
}
