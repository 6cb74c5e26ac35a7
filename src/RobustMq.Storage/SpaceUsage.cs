namespace RobustMq.Storage;

/// <summary>
/// A keyed space of one engine (<see cref="IStorageEngine.ListSpacesAsync"/>): its name, how many keys it holds and
/// the bytes of their values (keys not counted). When <see cref="KeysAtLeast"/> is set the engine stopped counting at
/// its cap: <see cref="Keys"/> is the cap and <see cref="ValueBytes"/> the bytes of the values it read (both lower
/// bounds); otherwise both are exact as of the read.
/// </summary>
public readonly record struct SpaceUsage(string Space, long Keys, long ValueBytes, bool KeysAtLeast)
{
    /// <summary>The cap of <see cref="IStorageEngine.ListSpacesAsync"/> on keys counted per space: 1,000,000.</summary>
    public const long DefaultMaxKeys = 1_000_000;
}
