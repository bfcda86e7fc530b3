namespace Thresher.Client.Tests;
