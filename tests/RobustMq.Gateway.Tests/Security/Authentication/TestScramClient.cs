using System.Security.Cryptography;
using System.Text;
using RobustMq.Gateway.Security.Authentication;

namespace RobustMq.Gateway.Tests.Security.Authentication;

/// <summary>The client side of SCRAM-SHA-256 (RFC 5802 section 3), for tests: a random nonce, the proof, the server's signature.</summary>
internal sealed class TestScramClient(string user, string password, string gs2Header = "n,,")
{
    private readonly string _bare = $"n={ScramClientFirst.EscapeSaslName(user)},r={Convert.ToBase64String(RandomNumberGenerator.GetBytes(12))}";
    private byte[] _expectedSignature = [];

    public string First => gs2Header + _bare;

    public string Final(string serverFirst)
    {
        var fields = serverFirst.Split(',').ToDictionary(f => f[..1], f => f[2..]);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(fields["s"]), int.Parse(fields["i"], System.Globalization.CultureInfo.InvariantCulture), HashAlgorithmName.SHA256, 32);
        var withoutProof = $"c={Convert.ToBase64String(Encoding.UTF8.GetBytes(gs2Header))},r={fields["r"]}";
        var authMessage = Encoding.UTF8.GetBytes(_bare + "," + serverFirst + "," + withoutProof);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var signature = HMACSHA256.HashData(SHA256.HashData(clientKey), authMessage);
        for (var i = 0; i < clientKey.Length; i++)
        {
            clientKey[i] ^= signature[i];
        }

        _expectedSignature = HMACSHA256.HashData(HMACSHA256.HashData(salted, "Server Key"u8), authMessage);
        return withoutProof + ",p=" + Convert.ToBase64String(clientKey);
    }

    public bool VerifyServerFinal(string serverFinal) => serverFinal == "v=" + Convert.ToBase64String(_expectedSignature);
}
