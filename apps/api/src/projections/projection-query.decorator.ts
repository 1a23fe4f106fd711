import { UseInterceptors, applyDecorators } from '@nestjs/common';
import { ReadYourWritesInterceptor } from './read-your-writes.interceptor.js';

/** Marks a read-model query: answers X-Projection-Position and honours X-Min-Position. */
export const ProjectionQuery = () => applyDecorators(UseInterceptors(ReadYourWritesInterceptor));
