using System.Text;
using System.Text.Json;

namespace RobustMq.Benchmarks.Load;

/// <summary>The one JSON line a scenario prints: fields in the order they were set.</summary>
public sealed class LoadResult
{
    private readonly List<KeyValuePair<string, object?>> _fields = [];

    public LoadResult(string scenario) => Set("scenario", scenario);

    /// <summary>Null when the scenario completed; otherwise what went wrong (the figures may be partial).</summary>
    public string? Error { get; private set; }

    public LoadResult Set(string name, object? value)
    {
        var index = _fields.FindIndex(f => f.Key == name);
        if (index >= 0)
        {
            _fields[index] = new(name, value);
        }
        else
        {
            _fields.Add(new(name, value));
        }

        return this;
    }

    /// <summary>Records the first error; later ones are reported on stderr only.</summary>
    public void Fail(string error)
    {
        if (Error is null)
        {
            Error = error;
        }
        else
        {
            Console.Error.WriteLine($"load: also: {error}");
        }
    }

    public void SetLatencies(string prefix, LatencyHistogram histogram, bool withP999 = false)
    {
        Set(prefix + "_p50_ms", Round(histogram.PercentileMilliseconds(50)));
        Set(prefix + "_p99_ms", Round(histogram.PercentileMilliseconds(99)));
        if (withP999)
        {
            Set(prefix + "_p999_ms", Round(histogram.PercentileMilliseconds(99.9)));
        }

        Set(prefix + "_max_ms", Round(histogram.PercentileMilliseconds(100)));
        Set(prefix + "_samples", histogram.Count);
    }

    public static double Round(double value) => Math.Round(value, value >= 100 ? 1 : 4);

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in _fields)
            {
                writer.WritePropertyName(name);
                switch (value)
                {
                    case null: writer.WriteNullValue(); break;
                    case string s: writer.WriteStringValue(s); break;
                    case bool b: writer.WriteBooleanValue(b); break;
                    case int i: writer.WriteNumberValue(i); break;
                    case long l: writer.WriteNumberValue(l); break;
                    case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
                    case double: writer.WriteNullValue(); break;
                    default: writer.WriteStringValue(value.ToString()); break;
                }
            }

            writer.WritePropertyName("error");
            if (Error is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue(Error);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
