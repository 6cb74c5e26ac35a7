namespace RobustMq.Storage.Tests.Conformance;

/// <summary>What the admin API's space list reads: each space that holds keys, with its keys and value bytes.</summary>
public abstract partial class StorageEngineConformance
{
    [Fact]
    public async Task Listing_spaces_gives_each_space_with_keys_by_name_with_its_key_count_and_value_bytes()
    {
        await Engine.WriteAsync(new StorageBatch().Put("sessions", "a", Bytes("12345")).Put("sessions", "b", Bytes("678")).Put("retained", "t/1", Bytes("xy")).Put("gone", "k", Bytes("v")));
        await Engine.WriteAsync(new StorageBatch().Put("sessions", "a", Bytes("1")).Delete("gone", "k").Append("shard", Bytes("not a space"), 1));

        Assert.Equal(
            [new SpaceUsage("retained", 1, 2, KeysAtLeast: false), new SpaceUsage("sessions", 2, 4, KeysAtLeast: false)],
            await Engine.ListSpacesAsync());
        if (IsDurable)
        {
            await ReopenAsync();
            Assert.Equal(
                [new SpaceUsage("retained", 1, 2, KeysAtLeast: false), new SpaceUsage("sessions", 2, 4, KeysAtLeast: false)],
                await Engine.ListSpacesAsync());
        }
    }

    [Fact]
    public async Task Listing_spaces_past_the_cap_is_exact_or_says_the_count_is_a_lower_bound()
    {
        await Engine.WriteAsync(new StorageBatch().Put("big", "1", Bytes("a")).Put("big", "2", Bytes("b")).Put("big", "3", Bytes("c")).Put("small", "1", Bytes("d")).Put("even", "1", Bytes("e")).Put("even", "2", Bytes("f")));

        var spaces = await Engine.ListSpacesAsync(maxKeys: 2);

        Assert.Equal(["big", "even", "small"], spaces.Select(s => s.Space));
        var big = spaces[0];
        Assert.True(big == new SpaceUsage("big", 3, 3, KeysAtLeast: false) || (big.Keys == 2 && big.KeysAtLeast && big.ValueBytes >= 2), $"got {big}");
        Assert.Equal(new SpaceUsage("even", 2, 2, KeysAtLeast: false), spaces[1]);
        Assert.Equal(new SpaceUsage("small", 1, 1, KeysAtLeast: false), spaces[2]);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Engine.ListSpacesAsync(maxKeys: 0));
    }
}
