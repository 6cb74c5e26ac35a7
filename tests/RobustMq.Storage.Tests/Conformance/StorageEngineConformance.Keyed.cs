namespace RobustMq.Storage.Tests.Conformance;

/// <summary>Keyed state: put, get, delete and ordered scans.</summary>
public abstract partial class StorageEngineConformance
{
    [Fact]
    public async Task A_put_value_is_read_back_and_the_last_put_wins()
    {
        await Engine.WriteAsync(new StorageBatch().Put("sessions", "c1", Bytes("v1")));
        await Engine.WriteAsync(new StorageBatch().Put("sessions", "c1", Bytes("v2")));

        Assert.Equal("v2", Text(await Engine.GetAsync("sessions", "c1") ?? []));
    }

    [Fact]
    public async Task An_empty_value_is_present_and_a_missing_key_is_null()
    {
        await Engine.WriteAsync(new StorageBatch().Put("s", "empty", ReadOnlyMemory<byte>.Empty));

        var empty = await Engine.GetAsync("s", "empty");

        Assert.NotNull(empty);
        Assert.Empty(empty);
        Assert.Null(await Engine.GetAsync("s", "missing"));
        Assert.Null(await Engine.GetAsync("nospace", "missing"));
    }

    [Fact]
    public async Task A_deleted_key_is_gone_and_deleting_a_missing_key_is_no_error()
    {
        await Engine.WriteAsync(new StorageBatch().Put("s", "k", Bytes("v")));

        await Engine.WriteAsync(new StorageBatch().Delete("s", "k").Delete("s", "never").Delete("other", "never"));

        Assert.Null(await Engine.GetAsync("s", "k"));
        Assert.Empty(await ScanAsync("s"));
    }

    [Fact]
    public async Task Spaces_are_separate()
    {
        await Engine.WriteAsync(new StorageBatch().Put("a", "k", Bytes("in a")).Put("b", "k", Bytes("in b")));

        Assert.Equal("in a", Text(await Engine.GetAsync("a", "k") ?? []));
        Assert.Equal("in b", Text(await Engine.GetAsync("b", "k") ?? []));
    }

    [Fact]
    public async Task A_scan_returns_the_keys_with_a_prefix_in_utf8_byte_order()
    {
        // U+E000 sorts before U+1F600 in UTF-8 (code point) order but after it in UTF-16 order.
        string[] keys = ["topic/\U0001F600", "topic/\uE000", "topic/b", "topic/a/x", "topic/a", "topicz", "other"];
        var batch = new StorageBatch();
        foreach (var key in keys)
        {
            batch.Put("retained", key, Bytes(key));
        }

        await Engine.WriteAsync(batch);

        var scanned = await ScanAsync("retained", "topic/");

        Assert.Equal(["topic/a", "topic/a/x", "topic/b", "topic/\uE000", "topic/\U0001F600"], scanned.Select(e => e.Key));
        Assert.All(scanned, e => Assert.Equal(e.Key, Text(e.Value)));
        Assert.Equal(keys.Length, (await ScanAsync("retained")).Count);
    }
}
