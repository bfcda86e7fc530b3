namespace Thresher.Grains.Tests;
