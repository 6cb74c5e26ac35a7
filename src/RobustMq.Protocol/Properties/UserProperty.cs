namespace RobustMq.Protocol.Properties;

/// <summary>A User Property (0x26): a UTF-8 string pair; order and duplicates are preserved.</summary>
public readonly record struct UserProperty(string Name, string Value);
