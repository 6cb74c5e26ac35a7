namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>Awaiting an event with a deadline whose failure message names the phase.</summary>
public static class TaskTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    public static async Task<T> WithTimeout<T>(this Task<T> task, string phase, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Default;
        try
        {
            return await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{phase}: nothing within {limit.TotalSeconds} s");
        }
    }

    public static async Task WithTimeout(this Task task, string phase, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Default;
        try
        {
            await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{phase}: not done within {limit.TotalSeconds} s");
        }
    }
}
