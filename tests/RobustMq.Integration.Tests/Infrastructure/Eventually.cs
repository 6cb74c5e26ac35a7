namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>Waits for something that another node or thread makes true, failing with <c>what</c> when it does not come in time.</summary>
public static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, TimeSpan within, string what) =>
        TrueAsync(() => Task.FromResult(condition()), within, what);

    /// <summary>Asks <paramref name="condition"/> every 100 ms until it holds; throws naming <paramref name="what"/> after <paramref name="within"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {within.TotalSeconds:0.#} s: {what}");
            }

            await Task.Delay(100);
        }
    }
}
