namespace RobustMq.Gateway.Security.BuiltInAcl;

/// <summary>
/// The one writer of one subject's rules in the built-in ACL store (key: the subject, <see cref="AclEntry.Who"/>:
/// <c>all</c>, <c>user/{name}</c>, <c>client/{id}</c>). Every change is a read-modify-write of the subject's stored
/// entry within one grain turn (the grain is not reentrant), so changes from any node are applied one after another:
/// two rules appended at once are both kept. The caller tells the nodes afterwards (<see cref="BuiltInAclSource"/>).
/// Storage failures surface as <see cref="RobustMq.Storage.StorageException"/>.
/// </summary>
public interface IAclSubjectGrain : IGrainWithStringKey
{
    /// <summary>Adds <paramref name="rule"/> after the subject's others; false (and nothing stored) when it has <see cref="AclEntry.MaxRules"/> already.</summary>
    Task<bool> Append(AclEntryRule rule);

    /// <summary>Removes the first of the subject's rules that is <see cref="AclEntryRule.SameAs"/> <paramref name="rule"/> (the subject goes with its last rule); false when it has none such.</summary>
    Task<bool> Remove(AclEntryRule rule);

    /// <summary>Replaces the subject's rules with <paramref name="rules"/>.</summary>
    Task Replace(AclEntryRule[] rules);

    /// <summary>Deletes the subject's rules; false when there were none.</summary>
    Task<bool> Delete();
}
