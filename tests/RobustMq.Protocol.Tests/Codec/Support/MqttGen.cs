using System.Text;
using FsCheck;
using FsCheck.Fluent;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Tests.Codec.Support;

/// <summary>FsCheck generators for valid MQTT field values and property lists.</summary>
internal static partial class MqttGen
{
    // Multi-byte UTF-8 (2, 3 and 4 bytes) included; atoms keep surrogate pairs whole.
    private static readonly string[] TextAtoms = ["a", "b", "z", "0", "9", "/", "-", "_", " ", "é", "ß", "中", "文", "😀", "sensor", "temp"];
    private static readonly string[] FilterAtoms = [.. TextAtoms, "+", "#", "/+/", "/#", "$share/g/"];

    public static Gen<bool> Bool => Gen.Elements(true, false);

    public static Gen<byte> Byte => Gen.Choose(0, 255).Select(i => (byte)i);

    public static Gen<ushort> UInt16 => Gen.Choose(0, 65535).Select(i => (ushort)i);

    public static Gen<ushort> NonZeroUInt16 => Gen.Choose(1, 65535).Select(i => (ushort)i);

    public static Gen<ushort> PacketId => NonZeroUInt16;

    public static Gen<uint> UInt32 => Gen.OneOf(
        Gen.Elements(0u, 1u, 127u, uint.MaxValue),
        Gen.Zip(UInt16, UInt16, (high, low) => ((uint)high << 16) | low));

    public static Gen<uint> NonZeroUInt32 => UInt32.Select(v => v == 0 ? 1 : v);

    public static Gen<QoS> QoS => Gen.Elements(Packets.QoS.AtMostOnce, Packets.QoS.AtLeastOnce, Packets.QoS.ExactlyOnce);

    public static Gen<string> Text(int maxAtoms) => Concat(TextAtoms, 0, maxAtoms);

    /// <summary>A non-empty topic name without wildcards.</summary>
    public static Gen<string> TopicName => Concat(TextAtoms, 1, 6);

    /// <summary>A topic filter; wildcard placement is not the codec's business, so anything goes.</summary>
    public static Gen<string> TopicFilter => Concat(FilterAtoms, 1, 6);

    public static Gen<byte[]> Bytes(int maxLength) => Gen.Choose(0, maxLength).SelectMany(n => Gen.ArrayOf(Byte, n));

    public static Gen<T?> Maybe<T>(Gen<T> generator)
        where T : class =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (1, generator.Select(value => (T?)value)));

    public static Gen<List<T>> ListOf<T>(Gen<T> generator, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(generator, n)).Select(items => items.ToList());

    /// <summary>A payload; UTF-8 text when the Payload Format Indicator says so.</summary>
    public static Gen<byte[]> Payload(MqttProperties? properties, int maxLength) =>
        properties?.PayloadFormatIndicator == 1
            ? Concat(TextAtoms, 0, Math.Max(1, maxLength / 4)).Select(Encoding.UTF8.GetBytes)
            : Bytes(maxLength);

    /// <summary>Properties only in MQTT 5; none otherwise.</summary>
    public static Gen<MqttProperties?> V5Properties(MqttProtocolVersion version, params PropertyId[] allowed) =>
        version == MqttProtocolVersion.V500 ? Properties(allowed) : Gen.Constant<MqttProperties?>(null);

    /// <summary>Each allowed property present or not; null when none is present.</summary>
    public static Gen<MqttProperties?> Properties(params PropertyId[] allowed) =>
        Gen.CollectToArray(allowed.Select(id => Gen.Frequency(
                (2, Gen.Constant<Action<MqttProperties>?>(null)),
                (1, Setter(id).Select(set => (Action<MqttProperties>?)set)))))
            .Select(setters =>
            {
                var properties = new MqttProperties();
                var any = false;
                foreach (var set in setters)
                {
                    if (set is not null)
                    {
                        set(properties);
                        any = true;
                    }
                }

                return any ? properties : null;
            });

    private static Gen<string> Concat(string[] atoms, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(Gen.Elements(atoms), n)).Select(parts => string.Concat(parts));

    private static Gen<Action<MqttProperties>> Setter(PropertyId id) => id switch
    {
        PropertyId.PayloadFormatIndicator => Flag.Select(v => Set(p => p.PayloadFormatIndicator = v)),
        PropertyId.MessageExpiryInterval => UInt32.Select(v => Set(p => p.MessageExpiryInterval = v)),
        PropertyId.ContentType => Text(4).Select(v => Set(p => p.ContentType = v)),
        PropertyId.ResponseTopic => TopicName.Select(v => Set(p => p.ResponseTopic = v)),
        PropertyId.CorrelationData => Bytes(16).Select(v => Set(p => p.CorrelationData = v)),
        PropertyId.SubscriptionIdentifier => ListOf(SubscriptionId, 1, 3).Select(v => Set(p => p.SubscriptionIdentifiers = v)),
        PropertyId.SessionExpiryInterval => UInt32.Select(v => Set(p => p.SessionExpiryInterval = v)),
        PropertyId.AssignedClientIdentifier => Text(4).Select(v => Set(p => p.AssignedClientIdentifier = v)),
        PropertyId.ServerKeepAlive => UInt16.Select(v => Set(p => p.ServerKeepAlive = v)),
        PropertyId.AuthenticationMethod => Text(4).Select(v => Set(p => p.AuthenticationMethod = v)),
        PropertyId.AuthenticationData => Bytes(16).Select(v => Set(p => p.AuthenticationData = v)),
        PropertyId.RequestProblemInformation => Flag.Select(v => Set(p => p.RequestProblemInformation = v)),
        PropertyId.WillDelayInterval => UInt32.Select(v => Set(p => p.WillDelayInterval = v)),
        PropertyId.RequestResponseInformation => Flag.Select(v => Set(p => p.RequestResponseInformation = v)),
        PropertyId.ResponseInformation => Text(4).Select(v => Set(p => p.ResponseInformation = v)),
        PropertyId.ServerReference => Text(4).Select(v => Set(p => p.ServerReference = v)),
        PropertyId.ReasonString => Text(4).Select(v => Set(p => p.ReasonString = v)),
        PropertyId.ReceiveMaximum => NonZeroUInt16.Select(v => Set(p => p.ReceiveMaximum = v)),
        PropertyId.TopicAliasMaximum => UInt16.Select(v => Set(p => p.TopicAliasMaximum = v)),
        PropertyId.TopicAlias => NonZeroUInt16.Select(v => Set(p => p.TopicAlias = v)),
        PropertyId.MaximumQoS => Flag.Select(v => Set(p => p.MaximumQoS = v)),
        PropertyId.RetainAvailable => Flag.Select(v => Set(p => p.RetainAvailable = v)),
        PropertyId.UserProperty => ListOf(UserProperty, 1, 3).Select(v => Set(p => p.UserProperties = v)),
        PropertyId.MaximumPacketSize => NonZeroUInt32.Select(v => Set(p => p.MaximumPacketSize = v)),
        PropertyId.WildcardSubscriptionAvailable => Flag.Select(v => Set(p => p.WildcardSubscriptionAvailable = v)),
        PropertyId.SubscriptionIdentifierAvailable => Flag.Select(v => Set(p => p.SubscriptionIdentifierAvailable = v)),
        PropertyId.SharedSubscriptionAvailable => Flag.Select(v => Set(p => p.SharedSubscriptionAvailable = v)),
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "no generator"),
    };

    /// <summary>A single Subscription Identifier (SUBSCRIBE carries exactly one).</summary>
    public static Gen<MqttProperties?> SubscribeProperties =>
        Gen.Zip(Maybe(SubscriptionId.Select(id => new List<uint> { id })), Maybe(ListOf(UserProperty, 1, 3)), (ids, users) =>
            ids is null && users is null ? null : new MqttProperties { SubscriptionIdentifiers = ids, UserProperties = users });

    private static Gen<byte> Flag => Gen.Elements<byte>(0, 1);

    private static Gen<uint> SubscriptionId => Gen.OneOf(Gen.Choose(1, 127), Gen.Choose(128, 268_435_455), Gen.Constant(268_435_455))
        .Select(i => (uint)i);

    private static Gen<UserProperty> UserProperty => Gen.Zip(Text(3), Text(3), (name, value) => new UserProperty(name, value));

    private static Action<MqttProperties> Set(Action<MqttProperties> set) => set;
}
