using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace RobustMq.Integration.Tests.Security;

/// <summary>
/// The client side of SCRAM-SHA-256 (RFC 5802 section 3) as an MQTTnet enhanced authentication handler: it answers
/// the server's AUTH 0x18 (server-first) with client-final, and checks the server's signature in the CONNACK or in the
/// AUTH 0x00 that ends a re-authentication. <see cref="TamperProof"/> sends a proof that cannot verify.
/// </summary>
public sealed class ScramClient(string user, string password) : IMqttEnhancedAuthenticationHandler
{
    public const string Method = "SCRAM-SHA-256";

    private string _bare = "";
    private byte[] _expectedSignature = [];
    private TaskCompletionSource<string> _reauthenticated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether the next client-final message carries a flipped proof.</summary>
    public bool TamperProof { get; set; }

    /// <summary>A new client-first-message (a fresh nonce); the exchange it starts is the one the handler answers.</summary>
    public byte[] First()
    {
        _bare = $"n={user.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal)},r={Convert.ToBase64String(RandomNumberGenerator.GetBytes(12))}";
        _reauthenticated = new(TaskCreationOptions.RunContinuationsAsynchronously);
        return Encoding.UTF8.GetBytes("n,," + _bare);
    }

    /// <summary>Completes with the server-final-message of a re-authentication (AUTH 0x00).</summary>
    public Task<string> Reauthenticated => _reauthenticated.Task;

    /// <summary>Whether <paramref name="serverFinal"/> is v= with the signature this client expects.</summary>
    public bool Verifies(byte[]? serverFinal) =>
        serverFinal is not null && Encoding.UTF8.GetString(serverFinal) == "v=" + Convert.ToBase64String(_expectedSignature);

    public Task HandleEnhancedAuthenticationAsync(MqttEnhancedAuthenticationEventArgs eventArgs)
    {
        ArgumentNullException.ThrowIfNull(eventArgs);
        if (eventArgs.ReasonCode == MqttAuthenticateReasonCode.Success)
        {
            _reauthenticated.TrySetResult(Encoding.UTF8.GetString(eventArgs.AuthenticationData ?? []));
            return Task.CompletedTask;
        }

        return eventArgs.SendAsync(new SendMqttEnhancedAuthenticationDataOptions { Data = Final(Encoding.UTF8.GetString(eventArgs.AuthenticationData)) });
    }

    private byte[] Final(string serverFirst)
    {
        var fields = serverFirst.Split(',').ToDictionary(f => f[..1], f => f[2..]);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(fields["s"]), int.Parse(fields["i"], CultureInfo.InvariantCulture), HashAlgorithmName.SHA256, 32);
        var withoutProof = $"c=biws,r={fields["r"]}";
        var authMessage = Encoding.UTF8.GetBytes(_bare + "," + serverFirst + "," + withoutProof);
        var proof = HMACSHA256.HashData(salted, "Client Key"u8);
        var signature = HMACSHA256.HashData(SHA256.HashData(proof), authMessage);
        for (var i = 0; i < proof.Length; i++)
        {
            proof[i] ^= signature[i];
        }

        if (TamperProof)
        {
            proof[0] ^= 0xFF;
        }

        _expectedSignature = HMACSHA256.HashData(HMACSHA256.HashData(salted, "Server Key"u8), authMessage);
        return Encoding.UTF8.GetBytes(withoutProof + ",p=" + Convert.ToBase64String(proof));
    }
}
