using RobustMq.Gateway.Security.Authentication;

namespace RobustMq.Gateway.Tests.Security.Authentication;

public sealed class CertificateAuthSourceTests
{
    private static readonly CertificateAuthSource Source = new();

    private static AuthRequest Request(string? userName, string? subject, string? certificateUserName) =>
        new("client", userName, null, "127.0.0.1:5000", 5, subject, certificateUserName);

    [Fact]
    public async Task A_client_named_by_its_verified_certificate_is_let_in()
    {
        var result = await Source.AuthenticateAsync(Request("device-1", "CN=device-1", "device-1"), CancellationToken.None);

        Assert.Equal(AuthOutcome.Allow, result.Outcome);
        Assert.False(result.Superuser);
    }

    [Theory]
    [InlineData("admin", "CN=device-1", null)] // a certificate, but the name is the client's own choice
    [InlineData(null, "CN=device-1", null)] // a certificate that names no one
    [InlineData("device-1", null, null)] // no certificate
    public async Task Anyone_else_is_left_to_the_next_source(string? userName, string? subject, string? certificateUserName)
    {
        var result = await Source.AuthenticateAsync(Request(userName, subject, certificateUserName), CancellationToken.None);

        Assert.Equal(AuthOutcome.Ignore, result.Outcome);
    }
}
