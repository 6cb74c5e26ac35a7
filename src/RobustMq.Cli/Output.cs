using System.Text;
using System.Text.Json;

namespace RobustMq.Cli;

/// <summary>How an answer is printed: <c>table</c> (columns from the objects' properties) or <c>json</c> (as the API gave it, indented).</summary>
public static class Output
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Prints <paramref name="value"/>: a list's rows (or <c>data</c>'s, with <c>meta</c> after), an object's fields, or a message.</summary>
    public static void Write(TextWriter writer, JsonElement? value, string format, string? emptyMessage = null)
    {
        if (value is not { } json)
        {
            // 204 No Content: what was done, in the format asked for.
            writer.WriteLine(format == "json" ? JsonSerializer.Serialize(new { result = emptyMessage ?? "done" }) : emptyMessage ?? "done");
            return;
        }

        if (format == "json")
        {
            writer.WriteLine(JsonSerializer.Serialize(json, Indented));
            return;
        }

        if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            WriteRows(writer, [.. data.EnumerateArray()]);
            if (json.TryGetProperty("meta", out var meta))
            {
                writer.WriteLine($"page {Text(meta.GetProperty("page"))}, {data.GetArrayLength()} shown of {Text(meta.GetProperty("count"))}");
            }

            if (json.TryGetProperty("nodes_not_answering", out var silent) && silent.ValueKind == JsonValueKind.Number && silent.GetInt32() > 0)
            {
                writer.WriteLine($"{silent.GetInt32()} node(s) did not answer: the list may be incomplete");
            }

            return;
        }

        if (json.ValueKind == JsonValueKind.Array)
        {
            WriteRows(writer, [.. json.EnumerateArray()]);
            return;
        }

        if (json.ValueKind == JsonValueKind.Object)
        {
            var fields = json.EnumerateObject().ToList();
            var width = fields.Count == 0 ? 0 : fields.Max(f => f.Name.Length);
            foreach (var field in fields)
            {
                writer.WriteLine($"{field.Name.PadRight(width)}  {Text(field.Value)}");
            }

            return;
        }

        writer.WriteLine(Text(json));
    }

    private static void WriteRows(TextWriter writer, IReadOnlyList<JsonElement> rows)
    {
        if (rows.Count == 0)
        {
            writer.WriteLine("(none)");
            return;
        }

        var columns = rows.Where(r => r.ValueKind == JsonValueKind.Object).SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Distinct().ToList();
        if (columns.Count == 0)
        {
            foreach (var row in rows)
            {
                writer.WriteLine(Text(row));
            }

            return;
        }

        var cells = rows.Select(r => columns.Select(c => r.ValueKind == JsonValueKind.Object && r.TryGetProperty(c, out var v) ? Text(v) : "").ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Max(row => row[i].Length))).ToArray();
        writer.WriteLine(Line(columns.Select(c => c.ToUpperInvariant()).ToArray(), widths));
        foreach (var row in cells)
        {
            writer.WriteLine(Line(row, widths));
        }
    }

    private static string Line(string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            line.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        return line.ToString().TrimEnd();
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Null or JsonValueKind.Undefined => "-",
        JsonValueKind.Array or JsonValueKind.Object => value.GetRawText(),
        _ => value.GetRawText(),
    };
}
