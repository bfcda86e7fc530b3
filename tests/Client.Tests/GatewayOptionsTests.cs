using System.Reflection;
using Spectre.Console.Cli;
using Thresher.Client.Commands;

namespace Thresher.Client.Tests;

/// <summary>
/// submit declares the gateway options itself (Spectre binds options only along one base-class chain, and submit's base
/// is the run options; see SubmitCommand.Settings): the declarations must stay those of <see cref="GatewaySettings"/>.
/// </summary>
public sealed class GatewayOptionsTests
{
    [Fact]
    public void Submit_declares_every_gateway_option_exactly_as_the_gateway_commands_do()
    {
        var gateway = OptionDeclarations(typeof(GatewaySettings));
        var submit = OptionDeclarations(typeof(SubmitCommand.Settings));
        Assert.Equal(6, gateway.Count); // --gateway, --cluster-id, --connect-timeout, --tls-cert, --tls-key, --tls-ca
        foreach (var (name, declaration) in gateway)
        {
            Assert.True(submit.TryGetValue(name, out var own), $"submit lacks the gateway option property {name}");
            Assert.Equal(declaration, own);
        }
    }

    /// <summary>Each [CommandOption] property declared on <paramref name="settings"/> (not inherited) → its type and attributes, as text.</summary>
    static Dictionary<string, string> OptionDeclarations(Type settings)
        => settings.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.GetCustomAttribute<CommandOptionAttribute>() is not null)
            .ToDictionary(p => p.Name, p => $"{p.PropertyType} " + string.Join(" ", p.GetCustomAttributesData().Select(a => a.ToString()).Order(StringComparer.Ordinal)));
}
