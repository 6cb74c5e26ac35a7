namespace RobustMq.Gateway.Security.Administrators;

/// <summary>The outcome of a change through <see cref="IAdminAccountsGrain"/>.</summary>
[GenerateSerializer]
public enum AdminAccountChange
{
    /// <summary>An account was created.</summary>
    Created,

    /// <summary>The account was changed or deleted.</summary>
    Done,

    /// <summary>There is no such account.</summary>
    NotFound,

    /// <summary>Refused: it would leave no administrator.</summary>
    LastAdministrator,
}
