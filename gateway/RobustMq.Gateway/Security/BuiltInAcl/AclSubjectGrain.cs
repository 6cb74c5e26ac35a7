namespace RobustMq.Gateway.Security.BuiltInAcl;

/// <summary>Changes one subject's rules in <see cref="IAclRuleStore"/>, one change per turn (see <see cref="IAclSubjectGrain"/>).</summary>
public sealed class AclSubjectGrain(IAclRuleStore store) : Grain, IAclSubjectGrain
{
    private string Who => this.GetPrimaryKeyString();

    public async Task<bool> Append(AclEntryRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var rules = await ReadAsync();
        if (rules.Count >= AclEntry.MaxRules)
        {
            return false;
        }

        await store.PutAsync(new AclEntry(Who, [.. rules, rule]));
        return true;
    }

    public async Task<bool> Remove(AclEntryRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var rules = (await ReadAsync()).ToList();
        var index = rules.FindIndex(r => r.SameAs(rule));
        if (index < 0)
        {
            return false;
        }

        rules.RemoveAt(index);
        if (rules.Count == 0)
        {
            await store.DeleteAsync(Who);
        }
        else
        {
            await store.PutAsync(new AclEntry(Who, rules));
        }

        return true;
    }

    public Task Replace(AclEntryRule[] rules) => store.PutAsync(new AclEntry(Who, rules));

    public Task<bool> Delete() => store.DeleteAsync(Who);

    private async Task<IReadOnlyList<AclEntryRule>> ReadAsync() =>
        (await store.GetAsync(Who))?.Rules ?? [];
}
