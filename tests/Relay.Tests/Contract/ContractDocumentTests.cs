using Relay.Fuzz;
using Relay.Infrastructure;

namespace Relay.Contract;

/// <summary>
/// The AsyncAPI document of Relay's events and the OpenAPI document of its Admin listener, checked by the
/// official tools (@asyncapi/parser, swagger-parser; tools/contract): a document they reject fails here.
/// </summary>
public sealed class ContractDocumentTests
{
    private static readonly string Tools = Path.Combine(RepositoryRoot.Path, "tools", "contract");
    private static readonly string AsyncApi = Path.Combine(RepositoryRoot.Path, "docs", "consumers", "contract", "asyncapi.yaml");
    private static readonly string OpenApi = Path.Combine(RepositoryRoot.Path, "docs", "operators", "admin.openapi.yaml");

    [Fact]
    public async Task TheOfficialTools_AcceptTheAsyncApiAndOpenApiDocuments()
    {
        var (exitCode, output) = await CheckAsync(AsyncApi, OpenApi);
        Assert.True(exitCode == 0, output);
        Assert.Contains("version 3.0.0, 7 messages", output, StringComparison.Ordinal);
        Assert.Contains("valid, 4 paths", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOfficialTools_RejectABrokenDocument_SoTheCheckIsNotVacuous()
    {
        string folder = Directory.CreateTempSubdirectory("relay-contract-").FullName;
        try
        {
            // The schemas beside the copy, so that only the change below is wrong.
            string schemas = Path.Combine(folder, "schemas");
            Directory.CreateDirectory(schemas);
            foreach (string file in Directory.GetFiles(EventContract.SchemaFolder))
            {
                File.Copy(file, Path.Combine(schemas, Path.GetFileName(file)));
            }

            string brokenAsyncApi = Path.Combine(folder, "asyncapi.yaml");
            await File.WriteAllTextAsync(brokenAsyncApi, (await File.ReadAllTextAsync(AsyncApi)).Replace("action: receive", "action: consume", StringComparison.Ordinal));
            string brokenOpenApi = Path.Combine(folder, "admin.openapi.yaml");
            await File.WriteAllTextAsync(brokenOpenApi, (await File.ReadAllTextAsync(OpenApi)).Replace("'202':", "'2xx-accepted':", StringComparison.Ordinal));

            var (exitCode, output) = await CheckAsync(brokenAsyncApi, brokenOpenApi);
            Assert.Equal(1, exitCode);
            Assert.Contains("asyncapi: error", output, StringComparison.Ordinal);
            Assert.Contains("openapi: rejected", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> CheckAsync(string asyncApi, string openApi)
    {
        await ExternalTools.EnsureNpmInstalledAsync(Tools);
        return await ExternalTools.RunAsync("node", ["check.mjs", asyncApi, openApi], Tools, TimeSpan.FromMinutes(2));
    }
}
