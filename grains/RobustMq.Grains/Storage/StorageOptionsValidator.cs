using Microsoft.Extensions.Options;
using RobustMq.Protocol.Topics;
using RobustMq.Storage;

namespace RobustMq.Grains.Storage;

/// <summary>Checks the <c>Storage</c> section at start-up; each message names its key.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            errors.Add("Storage:Path must be a folder (got an empty value)");
        }

        if (!StorageSync.TryParse(options.Sync, out _))
        {
            errors.Add($"Storage:Sync must be Always, None or Periodic:N with N ms from 1 to 60000 (got '{options.Sync}')");
        }

        CheckBackend(errors, "Storage:Default", options.Default);
        for (var i = 0; i < options.Topics.Count; i++)
        {
            var rule = options.Topics[i];
            if (!TopicValidator.IsValidTopicFilter(rule.Filter))
            {
                errors.Add($"Storage:Topics:{i}:Filter must be an MQTT topic filter (got '{rule.Filter}')");
            }

            CheckBackend(errors, $"Storage:Topics:{i}:Backend", rule.Backend);
        }

        var backends = options.Topics.Select(r => r.Backend).Append(options.Default);
        if (backends.Contains(StorageBackend.Postgres))
        {
            try
            {
                new RobustMq.Storage.Postgres.PostgresStorageOptions { ConnectionString = options.Postgres.ConnectionString, Schema = options.Postgres.Schema }.Validate();
            }
            catch (ArgumentException ex)
            {
                errors.Add(ex.Message.Split(" (Parameter", 2)[0]);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckBackend(List<string> errors, string key, StorageBackend backend)
    {
        if (!StorageEngines.IsAvailable(backend))
        {
            errors.Add($"{key} must be one of {string.Join(", ", StorageEngines.Available)} (got '{backend}': not in this build yet)");
        }
    }
}
