using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using RobustMq.Abstractions.Options;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Listeners;
using RobustMq.Gateway.Security.Authentication;
using RobustMq.Gateway.Security.Blacklist;
using RobustMq.Gateway.Sys;
using RobustMq.Grains.Storage;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// Reads every key under the broker's own sections before anything binds them. A value that does not convert to
/// its property's type (a port <c>abc</c>, an enum <c>Foo</c>, a bool <c>yes</c>) is an error naming the key; the binder
/// would throw an exception deep in start-up instead. A key no options class has (<c>Listeners:Tcp:Prot</c>) would
/// be ignored silently: it becomes a warning naming the nearest known key.
/// </summary>
public static class ConfigurationCheck
{
    /// <summary>Our sections and the options class each is bound to; other sections (<c>Logging</c>, ...) are not ours.</summary>
    public static readonly IReadOnlyList<(string Section, Type Options)> Sections =
    [
        (ListenerOptions.Section, typeof(ListenerOptions)),
        (MqttOptions.Section, typeof(MqttOptions)),
        (AclOptions.Section, typeof(AclOptions)),
        (AuthOptions.Section, typeof(AuthOptions)),
        (FlappingOptions.Section, typeof(FlappingOptions)),
        (AdminOptions.Section, typeof(AdminOptions)),
        (ClusterOptions.Section, typeof(ClusterOptions)),
        (SysOptions.Section, typeof(SysOptions)),
        (NodeOptions.Section, typeof(NodeOptions)),
        (StorageOptions.Section, typeof(StorageOptions)),
        (RobustMq.Gateway.Ops.TraceOptions.Section, typeof(RobustMq.Gateway.Ops.TraceOptions)),
        (RobustMq.Gateway.Ops.SlowSubsOptions.Section, typeof(RobustMq.Gateway.Ops.SlowSubsOptions)),
        (RobustMq.Gateway.Ops.AlarmOptions.Section, typeof(RobustMq.Gateway.Ops.AlarmOptions)),
    ];

    /// <summary>Throws <see cref="ConfigurationException"/> listing every value that cannot be converted; returns the warnings for unknown keys.</summary>
    public static IReadOnlyList<string> Run(IConfiguration configuration) => Run(configuration, Sections);

    /// <summary>The same check of the given sections.</summary>
    public static IReadOnlyList<string> Run(IConfiguration configuration, IReadOnlyList<(string Section, Type Options)> sections)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        foreach (var (section, type) in sections)
        {
            var node = configuration.GetSection(section);
            if (node.Value is not null)
            {
                errors.Add($"{section} is a section (keys {string.Join(", ", Settable(type).Select(p => p.Name))}), not a value (got '{node.Value}')");
                continue;
            }

            Walk(node, type, errors, warnings);
        }

        CheckLogLevels(configuration.GetSection("Logging"), errors);
        if (errors.Count > 0)
        {
            throw new ConfigurationException(string.Join("; ", errors));
        }

        return warnings;
    }

    /// <summary>
    /// <c>Logging:LogLevel:*</c> and <c>Logging:{Provider}:LogLevel:*</c>: not our section, but a bad level there ends
    /// start-up in an unhandled exception from the logging options (LoggerFilterConfigureOptions), so it is named here.
    /// </summary>
    private static void CheckLogLevels(IConfigurationSection logging, List<string> errors)
    {
        foreach (var levels in logging.GetChildren().SelectMany(c => c.Key.Equals("LogLevel", StringComparison.OrdinalIgnoreCase) ? [c] : c.GetChildren().Where(g => g.Key.Equals("LogLevel", StringComparison.OrdinalIgnoreCase))))
        {
            foreach (var category in levels.GetChildren())
            {
                if (!string.IsNullOrEmpty(category.Value) && !Enum.TryParse<LogLevel>(category.Value, ignoreCase: true, out _))
                {
                    errors.Add($"{category.Path} must be one of {string.Join(", ", Enum.GetNames<LogLevel>())} (got '{category.Value}')");
                }
            }
        }
    }

    /// <summary>The key among <paramref name="known"/> closest to <paramref name="key"/> by edit distance (case-insensitive).</summary>
    public static string Nearest(string key, IEnumerable<string> known) =>
        known.OrderBy(k => EditDistance(key.ToUpperInvariant(), k.ToUpperInvariant())).ThenBy(k => k, StringComparer.Ordinal).First();

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static void Walk(IConfigurationSection section, Type type, List<string> errors, List<string> warnings)
    {
        var settable = Settable(type).ToList();
        foreach (var child in section.GetChildren())
        {
            var property = settable.Find(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                var readOnly = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                warnings.Add(readOnly is not null
                    ? $"{child.Path} cannot be set; it is ignored"
                    : $"{child.Path} is not a known key; it is ignored (did you mean {section.Path}:{Nearest(child.Key, settable.Select(p => p.Name))}?)");
                continue;
            }

            var propertyType = property.PropertyType;
            if (IsValue(propertyType))
            {
                if (child.GetChildren().Any())
                {
                    errors.Add($"{child.Path} is a value, not a section");
                }
                else if (child.Value is { } value && Describe(propertyType, value) is { } expected)
                {
                    errors.Add($"{child.Path} must be {expected} (got '{value}')");
                }
            }
            else if (ElementOf(propertyType) is { } element)
            {
                // A list (Storage:Topics): its children are numbered items, each a section of the element type.
                foreach (var item in child.GetChildren())
                {
                    if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        errors.Add($"{item.Path}: {child.Path} is a list; its items are numbered ({child.Path}:0, {child.Path}:1, ...)");
                    }
                    else if (IsValue(element))
                    {
                        if (item.Value is { } itemValue && Describe(element, itemValue) is { } expectedItem)
                        {
                            errors.Add($"{item.Path} must be {expectedItem} (got '{itemValue}')");
                        }
                    }
                    else if (item.Value is not null)
                    {
                        errors.Add($"{item.Path} is a section (keys {string.Join(", ", Settable(element).Select(p => p.Name))}), not a value (got '{item.Value}')");
                    }
                    else
                    {
                        Walk(item, element, errors, warnings);
                    }
                }
            }
            else if (child.Value is not null)
            {
                errors.Add($"{child.Path} is a section (keys {string.Join(", ", Settable(propertyType).Select(p => p.Name))}), not a value (got '{child.Value}')");
            }
            else
            {
                Walk(child, propertyType, errors, warnings);
            }
        }
    }

    /// <summary>The element type of a list or array property, or null.</summary>
    private static Type? ElementOf(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0]
        : null;

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    private static bool IsValue(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal)
            || underlying == typeof(TimeSpan) || underlying == typeof(DateTimeOffset) || underlying == typeof(Uri);
    }

    /// <summary>Null when <paramref name="value"/> converts to <paramref name="type"/> as the configuration binder converts it; else what is expected.</summary>
    private static string? Describe(Type type, string value)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null && value.Length == 0)
        {
            return null;
        }

        underlying ??= type;
        if (underlying == typeof(string))
        {
            return null;
        }

        object? converted;
        try
        {
            converted = TypeDescriptor.GetConverter(underlying).ConvertFromInvariantString(value);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException || ex.InnerException is FormatException or OverflowException)
        {
            converted = null;
        }

        if (converted is not null && (!underlying.IsEnum || Enum.IsDefined(underlying, converted)))
        {
            return null;
        }

        return underlying switch
        {
            _ when underlying.IsEnum => "one of " + string.Join(", ", Enum.GetNames(underlying)),
            _ when underlying == typeof(bool) => "true or false",
            _ when underlying == typeof(TimeSpan) => "a time span such as 00:00:30",
            _ when underlying == typeof(int) => $"a whole number ({int.MinValue.ToString(CultureInfo.InvariantCulture)} to {int.MaxValue.ToString(CultureInfo.InvariantCulture)})",
            _ when underlying == typeof(long) || underlying == typeof(uint) || underlying == typeof(ulong) || underlying == typeof(short) || underlying == typeof(ushort) || underlying == typeof(byte) => "a whole number",
            _ when underlying == typeof(double) || underlying == typeof(float) || underlying == typeof(decimal) => "a number",
            _ => $"a {underlying.Name}",
        };
    }
}
