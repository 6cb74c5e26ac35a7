using System.Reflection;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Hosting;

namespace RobustMq.Gateway.Tests.Hosting;

/// <summary>The warm-up compiles the connection and codec code, state machines of async handlers included.</summary>
public sealed class CodeWarmUpTests
{
    [Fact]
    public void The_gateway_and_protocol_code_is_compiled_with_next_to_nothing_skipped()
    {
        var (compiled, skipped) = CodeWarmUp.Compile(CodeWarmUp.Assemblies);

        Assert.InRange(compiled, 800, int.MaxValue);
        Assert.InRange(skipped, 0, compiled / 50);
    }

    [Fact]
    public void The_unsubscribe_handlers_state_machine_is_among_the_compiled_types()
    {
        // An async method's body is the MoveNext of a nested, compiler-generated type: warming only the stub would not do.
        var stateMachine = typeof(MqttConnection).GetNestedTypes(BindingFlags.NonPublic)
            .Single(t => t.Name.StartsWith("<UnsubscribeAsync>", StringComparison.Ordinal));

        Assert.False(stateMachine.ContainsGenericParameters);
        Assert.NotNull(stateMachine.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetMethodBody());
    }
}
