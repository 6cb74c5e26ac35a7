using RobustMq.Gateway.Ops;

namespace RobustMq.Gateway.Tests.Ops;

public sealed class AlarmStateTests
{
    [Fact]
    public void An_alarm_is_reported_once_when_activated_and_once_when_deactivated()
    {
        var state = new AlarmState("n1");

        var raised = state.Activate(Alarm.HighMemory, "high", new() { ["usage"] = "90%" }, 1_000);
        var again = state.Activate(Alarm.HighMemory, "high", new() { ["usage"] = "91%" }, 2_000);
        var cleared = state.Deactivate(Alarm.HighMemory, 3_000);
        var clearedAgain = state.Deactivate(Alarm.HighMemory, 4_000);

        Assert.NotNull(raised);
        Assert.True(raised.Activated);
        Assert.Null(again);
        Assert.NotNull(cleared);
        Assert.Equal((1_000L, 3_000L), (cleared.ActivatedAtUnixMs, cleared.DeactivatedAtUnixMs!.Value));
        Assert.Equal("91%", cleared.Details["usage"]);
        Assert.Null(clearedAgain);
    }

    [Fact]
    public void Listing_filters_by_activation_and_clearing_forgets_only_deactivated_alarms()
    {
        var state = new AlarmState("n1");
        state.Activate(Alarm.QueueLimitHit, "q", [], 1_000);
        state.Deactivate(Alarm.QueueLimitHit, 2_000);
        state.Activate(Alarm.HighCpu, "cpu", [], 3_000);

        Assert.Equal([Alarm.HighCpu], state.List(true).Select(a => a.Name));
        Assert.Equal([Alarm.QueueLimitHit], state.List(false).Select(a => a.Name));
        Assert.Equal(2, state.List(null).Count);

        state.ClearDeactivated();

        Assert.Equal([Alarm.HighCpu], state.List(null).Select(a => a.Name));
        Assert.All(state.List(null), a => Assert.Equal("n1", a.Node));
    }
}
