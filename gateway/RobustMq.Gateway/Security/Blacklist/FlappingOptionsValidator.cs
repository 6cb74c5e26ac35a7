using Microsoft.Extensions.Options;

namespace RobustMq.Gateway.Security.Blacklist;

/// <summary>Stops start-up on a bad <c>Flapping</c> section, naming the key.</summary>
public sealed class FlappingOptionsValidator : IValidateOptions<FlappingOptions>
{
    public ValidateOptionsResult Validate(string? name, FlappingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MaxConnects < 1)
        {
            errors.Add($"Flapping:MaxConnects must be 1 or more (got {options.MaxConnects})");
        }

        if (options.WindowSeconds < 1)
        {
            errors.Add($"Flapping:WindowSeconds must be 1 or more (got {options.WindowSeconds})");
        }

        if (options.BanSeconds < 1)
        {
            errors.Add($"Flapping:BanSeconds must be 1 or more (got {options.BanSeconds})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
